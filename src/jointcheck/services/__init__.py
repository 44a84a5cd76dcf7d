"""Use cases of the outer ring. Each takes a session (or a unit of work), keys and the instant
as arguments and never commits: the request or command that calls it commits once."""
