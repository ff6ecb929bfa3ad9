\set payload random(1, 1000000000)
SELECT pg_sleep(0.0002), :payload::bigint;
