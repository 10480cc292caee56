"""What one hop between two processes costs on this machine: a 64-byte ping-pong over loopback TCP (as the
API and the Runtime API talk), with both processes on one core and with each on its own core.

    python bench/loopback_wake.py [--rounds 20000]

A warm invocation through `workbench serve` makes four such hops (client → server → runtime → server →
client). When the process woken sits on another, idle core, the hop costs that core's wake-up from idle; on a
virtual machine that is an exit to the hypervisor, and it is most of the difference between the two lines.
Prints {"name": "loopback_round_trip", "unit": "us", "p50", "p99", "n", "placement"} for each placement.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit

_MESSAGE = b"x" * 64


def _echo(listener: socket.socket, cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})
    connection, _ = listener.accept()
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while data := connection.recv(256):
        connection.sendall(data)
    os._exit(0)


def round_trips(rounds: int, client_cpu: int, echo_cpu: int) -> list[float]:
    listener = socket.create_server(("127.0.0.1", 0))
    child = os.fork()
    if child == 0:
        _echo(listener, echo_cpu)
    os.sched_setaffinity(0, {client_cpu})
    connection = socket.create_connection(listener.getsockname())
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    samples: list[float] = []
    for index in range(rounds + 1000):
        started = time.perf_counter()
        connection.sendall(_MESSAGE)
        connection.recv(256)
        if index >= 1000:   # the first thousand warm up
            samples.append((time.perf_counter() - started) * 1e6)
    connection.close()
    listener.close()
    os.waitpid(child, 0)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20000)
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    placements = {"one core": (cpus[0], cpus[0])}
    if len(cpus) > 1:
        placements["two cores"] = (cpus[0], cpus[1])
    for placement, (client_cpu, echo_cpu) in placements.items():
        emit("loopback_round_trip", round_trips(args.rounds, client_cpu, echo_cpu), unit="us", placement=placement,
             load_average=round(os.getloadavg()[0], 2))


if __name__ == "__main__":
    main()
