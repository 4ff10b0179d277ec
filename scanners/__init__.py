"""What a handheld scanner sends and sees: scan parsing, scan workflows and the scanner pages."""
