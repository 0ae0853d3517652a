"""The embedded engine of the local backend: it runs the ASL JSON that the SDK generates."""
