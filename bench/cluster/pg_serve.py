"""A throwaway PostgreSQL for a bench written in bash: prints its JDBC url, user and password on one
line (tab-separated) once it accepts connections, then serves until SIGTERM or SIGINT, and removes
itself. Usage: python3 bench/cluster/pg_serve.py TAG > url.txt &"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    tag = sys.argv[1] if len(sys.argv) > 1 else "pg-serve"
    pg = common.PgServer(tag)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print(f"{pg.url}\t{common.PG_USER}\t{common.PG_PASSWORD}", flush=True)
    try:
        while not stop and pg.proc.poll() is None:
            signal.pause()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
