"""Evaluate PAC files in pacparser (Debian python3-pacparser), many hosts per PAC, one process.

stdin: JSON {"mode": "eval" | "bench", "rounds": N, "jobs": [{"name", "pac", "hosts": [...]}]}
stdout: JSON
  eval:  {"results": {name: [answer or "ERROR: ...", ...]}}
  bench: {"results": {name: {"hostsPerSecond": best, "samples": [...]}}}

pacparser holds one PAC per process (init/parse/cleanup), so jobs run one after the other; in
bench mode every round visits every job, so all figures come from the same run, interleaved.
"""
import json
import sys
import time

import pacparser


def load(pac):
    pacparser.init()
    pacparser.parse_pac_string(pac)


def evaluate(job):
    answers = []
    try:
        load(job["pac"])
    except Exception as error:  # a PAC that does not even parse
        return ["ERROR: parse: %s" % error for _ in job["hosts"]]
    for host in job["hosts"]:
        try:
            answers.append(pacparser.find_proxy("http://%s/" % host, host))
        except Exception as error:
            answers.append("ERROR: %s" % error)
    pacparser.cleanup()
    return answers


def bench(job):
    load(job["pac"])
    hosts = job["hosts"]
    find = pacparser.find_proxy
    urls = ["http://%s/" % host for host in hosts]
    start = time.perf_counter()
    for url, host in zip(urls, hosts):
        find(url, host)
    elapsed = time.perf_counter() - start
    pacparser.cleanup()
    return len(hosts) / elapsed


def main():
    request = json.load(sys.stdin)
    if request["mode"] == "eval":
        results = {job["name"]: evaluate(job) for job in request["jobs"]}
    else:
        samples = {job["name"]: [] for job in request["jobs"]}
        for _ in range(request.get("rounds", 5)):
            for job in request["jobs"]:
                samples[job["name"]].append(bench(job))
        results = {
            name: {"hostsPerSecond": max(values), "samples": values}
            for name, values in samples.items()
        }
    json.dump({"results": results}, sys.stdout)


main()
