"""From collected facts to the files of the site, pure: assemble the Page, then HTML, status.json, Atom and badges."""
