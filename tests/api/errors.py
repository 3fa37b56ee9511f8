"""What an API refusal looks like, for the write tests: the stable error shape, and the field it names."""


def refused(response, status, field=None):
    """The error shape; for 400, the field named with its message (callers compare snapshots for "nothing
    changed")."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    if field is not None:
        assert field in body["fields"] and body["fields"][field][0], body
    return body
