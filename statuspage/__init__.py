"""A static status page, published to GitHub Pages."""
