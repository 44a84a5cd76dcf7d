"""The outer ring's storage: SQLAlchemy 2 models, repositories, unit of work, migrations.

SQLite (a file) is the default; PostgreSQL is selected by a ``postgresql://`` URL. Every query
lives in ``repositories``; services receive a session and never commit: ``unit_of_work``
commits once at the end of a request or command.
"""
