-- What a server is to the replica router: whether it is a standby (in
-- recovery), and the system identifier of its cluster, which a physical
-- replica shares with its primary and no other cluster has.
SELECT pg_is_in_recovery(), (SELECT system_identifier FROM pg_control_system())
