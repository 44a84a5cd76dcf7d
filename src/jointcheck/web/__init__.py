"""The scanner page and its static files, served by the district server and by a node."""
