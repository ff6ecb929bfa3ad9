"""Reads the result lines of benchmarks/contracts/run.sh (name iterations
encode_s decode_s bytes hash), checks that every implementation encoded the
same bytes, and prints the best and median round of each, with ratios against
protobuf-c (higher is faster: C's time divided by the implementation's)."""
import statistics
import sys

instructions = {}
if len(sys.argv) > 1:
    for line in open(sys.argv[1]):
        name, count = line.split()
        instructions[name] = int(count)

rows = [line.split() for line in sys.stdin if line.strip()]
names = list(dict.fromkeys(row[0] for row in rows))
encodings = {(row[4], row[5]) for row in rows}
if len(encodings) != 1:
    sys.exit(f"implementations encoded different bytes: {sorted(encodings)}")
size = rows[0][4]
iterations = int(rows[0][1])
runs = {name: [(float(r[2]), float(r[3])) for r in rows if r[0] == name] for name in names}


def best(name, pick):
    return min(pick(run) for run in runs[name])


def median(name, pick):
    return statistics.median(pick(run) for run in runs[name])


total = lambda run: run[0] + run[1]
print(f"times: process CPU time; message: {size} bytes, identical in every implementation; {iterations} iterations, "
      f"{len(runs['c'])} rounds; times are the best round (median in brackets)")
print(f"| {'implementation':<22} | {'encode µs':>10} | {'decode µs':>10} | {'enc+dec/s':>18} | {'vs protobuf-c':>16} |")
print(f"|{'-' * 24}|{'-' * 12}:|{'-' * 12}:|{'-' * 20}:|{'-' * 18}:|")
labels = {"c": "protobuf-c (C)", "swift": "Swift generated API", "python": "Python protobuf (upb)"}
for name in names:
    enc = best(name, lambda r: r[0]) / iterations * 1e6
    dec = best(name, lambda r: r[1]) / iterations * 1e6
    rate = iterations / best(name, total)
    rate_median = iterations / median(name, total)
    ratio = best("c", total) / best(name, total)
    ratio_median = median("c", total) / median(name, total)
    print(f"| {labels.get(name, name):<22} | {enc:>10.3f} | {dec:>10.3f} | {rate:>9,.0f} ({rate_median:,.0f}) |"
          f" {ratio:>6.2f}x ({ratio_median:.2f}x) |")
if instructions:
    print("\ninstructions per encode+decode (callgrind, load-independent; ratio: protobuf-c's count / this one)")
    print(f"| {'implementation':<22} | {'instructions':>12} | {'vs protobuf-c':>13} |")
    print(f"|{'-' * 24}|{'-' * 13}:|{'-' * 14}:|")
    for name in names:
        if name in instructions:
            print(f"| {labels.get(name, name):<22} | {instructions[name]:>12,} |"
                  f" {instructions['c'] / instructions[name]:>12.2f}x |")
