"""jointcheck: the joint check of a health code and a vaccination certificate."""

__version__ = "0.1.0"
