"""MongoDB adapters: the community repository, owner ledgers, sanctions and read models."""
