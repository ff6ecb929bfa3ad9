\set payload random(1, 1000000000)
INSERT INTO bench.inserts (gate, payload) VALUES ('G1', :payload);
