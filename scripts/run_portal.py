"""`make run`: the web server, a Celery worker with beat, and the fake 12345 hotline, together.

Ctrl-C stops all of them. Each process's output is prefixed with its name.
"""
import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

DEMO_LOGINS = [
    ("representative", "daibiao"),
    ("organisation department", "zuzhibu"),
    ("administrator", "admin"),
    ("studio staff", "gongzuoshi"),
    ("department staff", "bumen"),
    ("liaison agency", "lianluo"),
]


def _pump(name, stream):
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"[{name}] {line.decode(errors='replace')}")
        sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    commands = {
        "web": [PY, "manage.py", "runserver", "--noreload", f"{args.host}:{args.port}"],
        "worker": [PY, "-m", "celery", "-A", "config", "worker", "-B", "--concurrency", "2", "--loglevel", "INFO"],
    }
    if (ROOT / "petitions" / "management" / "commands" / "fake_hotline.py").exists():
        commands["hotline"] = [PY, "manage.py", "fake_hotline", "--portal-url", f"http://{args.host}:{args.port}"]

    procs = {}
    for name, cmd in commands.items():
        procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        threading.Thread(target=_pump, args=(name, procs[name].stdout), daemon=True).start()

    url = f"http://{args.host}:{args.port}/"
    print("\n" + "=" * 72)
    print(f"  Portal:     {url}")
    print(f"  Dashboard:  {url}dashboard/    Reports: {url}reports/    Admin: {url}admin/")
    print("  Demo logins (password demo12345):")
    for role, username in DEMO_LOGINS:
        print(f"    {username:<12} {role}")
    print("  Ctrl-C stops the web server, the worker and beat.")
    print("=" * 72 + "\n", flush=True)

    def stop(*_):
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"[{name}] exited with {proc.returncode}; stopping the others", flush=True)
                stop()
        time.sleep(0.5)


if __name__ == "__main__":
    main()
