"""The registry's pure core: areas, people and their records, organisations, venues.

Plain frozen values and their invariants. Nothing here touches a database, a file or the
clock; ``jointcheck.storage`` maps these values to tables and ``jointcheck.services`` imports
them. A value that breaks an invariant raises ``RegistryError`` with a stable code.
"""
