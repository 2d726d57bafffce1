"""The shell: build the site (gather, assemble, render, write the directory) and publish it to gh-pages."""
