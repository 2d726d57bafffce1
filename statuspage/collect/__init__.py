"""Where the page's facts come from: GitHub issues (live or exported), Uptime Kuma and the previous deployment."""
