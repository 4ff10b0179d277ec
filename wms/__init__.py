"""Pavilion WMS: warehouse management for ASEAN local fulfillment centers.

The app is built by `wms.app.create_app(settings)`; importing this package does nothing else.
"""
