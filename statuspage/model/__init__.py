"""What the status page shows, as frozen data, with the pure rules of its parts: history, maintenance, settings."""
