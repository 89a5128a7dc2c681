"""`make chaos`: the platform under faults and replicas, checked from the outside.

A run starts its own servers (instance `chaos`, two replicas of every service and two insights
workers), drives a bounded load through the public gRPC API (`load`), injects one fault at a
time while it runs (`faults`), times each recovery with a canary write (`canary`), and at the
end reconciles every acknowledged write with the event stores, the topics, the read models and
an insights oracle (`reconcile`, `oracle`); `report` prints the table and writes the JSON.
"""
