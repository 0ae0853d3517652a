"""The two backends (local and aws) behind one interface the pages use."""
