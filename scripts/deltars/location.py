"""Turn a FinPipe table location into delta-rs's table URI and storage options.

A FinPipe location is a path or a URL that delta.Open takes: s3://bucket/prefix
with gocloud's query parameters (endpoint, region, use_path_style). delta-rs
takes the same endpoint as AWS_ENDPOINT_URL and the rest as storage options;
credentials come from the same AWS variables in the environment. Commits are
conditional PUTs (AWS_CONDITIONAL_PUT=etag: If-None-Match: *), as FinPipe's
are, so the two engines may write one table.
"""

import os
import urllib.parse


def table_location(loc):
    """Return (uri, storage_options or None) for DeltaTable / write_deltalake."""
    u = urllib.parse.urlsplit(loc)
    if u.scheme != "s3":
        return loc, None
    q = urllib.parse.parse_qs(u.query)
    opts = {"AWS_CONDITIONAL_PUT": "etag"}
    endpoint = q.get("endpoint", [os.environ.get("AWS_ENDPOINT_URL", "")])[0]
    if endpoint:
        opts["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.startswith("http://"):
            opts["AWS_ALLOW_HTTP"] = "true"
    region = q.get("region", [os.environ.get("AWS_REGION", "")])[0]
    if region:
        opts["AWS_REGION"] = region
    if q.get("use_path_style", ["false"])[0] == "true":
        opts["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"] = "false"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        if os.environ.get(name):
            opts[name] = os.environ[name]
    return urllib.parse.urlunsplit(("s3", u.netloc, u.path, "", "")), opts
