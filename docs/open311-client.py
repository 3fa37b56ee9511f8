#!/usr/bin/env python3
"""A tiny Open311 GeoReport v2 client, written only from the spec (http://wiki.open311.org/GeoReport_v2).

Standard library only. It knows nothing of the portal: it reads discovery, lists the services,
posts a request with an API key, and reads the request's status back.

    python docs/open311-client.py http://127.0.0.1:8000/open311/v2/ API_KEY [--watch SECONDS]
"""
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET


def get(base, path, params=None):
    url = urllib.parse.urljoin(base, path) + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def post(base, path, fields):
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(urllib.parse.urljoin(base, path), data=data, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def main(base, api_key, watch=0):
    base = base if base.endswith("/") else base + "/"
    _, body = get(base, "discovery.json")
    discovery = json.loads(body)
    print("discovery:", discovery["endpoints"][0]["specification"], discovery["endpoints"][0]["formats"])

    _, body = get(base, "services.json")
    services = json.loads(body)
    print(f"services ({len(services)}):")
    for s in services:
        print(f"  {s['service_code']:<12} {s['service_name']}  [{s['type']}, metadata={s['metadata']}]")
    _, body = get(base, "services.xml")
    print("services.xml has", len(ET.fromstring(body).findall("service")), "<service> elements")

    code = services[0]["service_code"]
    status, body = post(base, "requests.json", {"api_key": "not-a-key", "service_code": code,
                                                "description": "x", "address_string": "x"})
    print("POST with a bad key ->", status, json.loads(body))
    status, body = post(base, "requests.json", {"api_key": api_key, "service_code": code})
    print("POST with missing fields ->", status, json.loads(body))

    fields = {"api_key": api_key, "service_code": code, "lat": "36.866", "long": "116.230",
              "address_string": "高唐县人和街道", "first_name": "三", "last_name": "张", "phone": "13812341234",
              "email": "zhang@example.com",
              "description": "人和街道路口的红绿灯坏了三天了，早晚高峰很危险，请尽快维修。"}
    status, body = post(base, "requests.json", fields)
    created = json.loads(body)
    print("POST ->", status, created)
    request_id = created[0].get("service_request_id")
    if not request_id:
        _, body = get(base, f"tokens/{created[0]['token']}.json")
        request_id = json.loads(body)[0]["service_request_id"]

    deadline = time.monotonic() + watch
    last = None
    while True:
        _, body = get(base, f"requests/{request_id}.json")
        r = json.loads(body)[0]
        now = (r["status"], r["status_notes"], r["agency_responsible"], r["expected_datetime"])
        if now != last:
            print(f"request {request_id}: status={r['status']} | {r['status_notes']} | "
                  f"agency={r['agency_responsible']} | expected={r['expected_datetime']}")
            last = now
        if time.monotonic() >= deadline:
            break
        time.sleep(1)
    _, body = get(base, f"requests/{request_id}.xml")
    root = ET.fromstring(body)
    print("XML:", root.tag, root.find("request/status").text, root.find("request/requested_datetime").text)
    _, body = get(base, "requests.json", {"status": "open,closed", "service_code": code})
    listed = [r["service_request_id"] for r in json.loads(body)]
    print(f"GET requests.json?status=open,closed&service_code={code}: {len(listed)} requests, ours listed: "
          f"{request_id in listed}")
    leaked = {"first_name", "last_name", "phone", "email"} & set(r)
    print("personal fields in the public record:", sorted(leaked) or "none",
          "| phone in description:", "13812341234" in r["description"])


if __name__ == "__main__":
    args = sys.argv[1:]
    watch = 0
    if "--watch" in args:
        i = args.index("--watch")
        watch = int(args[i + 1])
        del args[i:i + 2]
    main(args[0], args[1], watch)
