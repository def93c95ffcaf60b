"""Exposure: deployment defaults, no autolinks, no raw table export, no server path in messages."""

from __future__ import annotations

import re
import tomllib

from catalog.paths import REPO_ROOT


def config() -> dict:
    with open(REPO_ROOT / ".streamlit" / "config.toml", "rb") as fh:
        return tomllib.load(fh)


def test_streamlit_deployment_defaults():
    cfg = config()
    assert cfg["server"]["address"] == "127.0.0.1"  # published through a reverse proxy only
    assert cfg["server"]["allowedHosts"] and "*" not in cfg["server"]["allowedHosts"]
    assert cfg["server"]["enableCORS"] is True and cfg["server"]["enableXsrfProtection"] is True
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["disableDataExport"] is True  # no raw CSV of catalogue text from st.dataframe
    assert cfg["server"]["maxUploadSize"] <= 50


def test_every_config_key_is_known_to_streamlit():
    from streamlit import config as st_config

    known = set(st_config._config_options_template)
    for section, values in config().items():
        for key in values:
            assert f"{section}.{key}" in known, f"{section}.{key}"


def test_catalogue_text_never_becomes_a_link():
    from app_pages._shared import md_escape

    text = "Infos : https://exemple.fr/x, www.exemple.fr ou contact@exemple.fr ; FTP://a.b"
    shown = md_escape(text)
    plain = shown.replace("\\", "")
    # the GFM autolink patterns (applied after Markdown parsing) no longer match
    assert not re.search(r"(?i)(https?|ftp)://", plain)
    assert not re.search(r"(?i)\bwww\.", plain)
    assert not re.search(r"[\w.+-]@[\w-]", plain)
    assert plain.replace("\u2060", "") == text  # what is displayed is unchanged


def test_technical_detail_has_no_server_path():
    from app_pages._shared import technical_detail

    err = OSError(30, "Read-only file system", "/srv/itineraire/var/catalogue.jsonl.gz")
    detail = technical_detail(err)
    assert "/srv" not in detail and "lecture seule" in detail and "Errno" not in detail
    other = RuntimeError("cannot open /srv/itineraire/var/index/offers-1/index.faiss for reading")
    assert "/srv" not in technical_detail(other) and "index.faiss" in technical_detail(other)


def test_readme_documents_the_deployment():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Déploiement", 1)[1]
    for needle in ("server.address", "allowedHosts", "TLS", "XSRF", "python -m catalog restore"):
        assert needle in section, needle
