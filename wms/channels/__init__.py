"""Marketplace connectors (Shopee, Lazada, TikTok Shop) and their local sandbox.

Connectors speak each marketplace's API on plain data (`wms.channels.marketplace`); they know
nothing of the database or the use cases, which call them with no transaction open.
"""
