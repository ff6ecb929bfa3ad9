\set payload random(1, 1000000000)
SELECT :payload::bigint;
