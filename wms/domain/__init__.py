"""Plain-Python warehouse rules and value objects; imports only the standard library."""
