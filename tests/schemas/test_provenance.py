"""The one version and checksum helper: independent digests, and checksums that must not move."""

from __future__ import annotations

import hashlib
import re
import subprocess

from ase.build import bulk

from phonogap.importers.registry import file_record, files_checksum
from phonogap.reference.dft_common import configuration_key
from phonogap.schemas.provenance import (
    checksum_of,
    file_sha256,
    package_versions,
    sha256_hex,
    software_versions,
)

# FIPS 180-2, appendix B.1: SHA-256("abc")
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_digests_match_the_published_test_vector(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    assert sha256_hex("abc") == sha256_hex(b"abc") == ABC
    assert file_sha256(path) == ABC
    assert file_record(path, "abc.txt") == {"path": "abc.txt", "sha256": ABC}


def test_file_digest_reads_in_blocks_like_sha256sum(tmp_path):
    path = tmp_path / "large.bin"
    path.write_bytes(bytes(range(256)) * 9000)  # 2.3 MB: more than one 1 MiB block
    printed = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True)
    assert file_sha256(path) == printed.stdout.split()[0]


def test_payload_checksum_ignores_key_order():
    assert checksum_of({"b": 1, "a": [2, 3]}) == checksum_of({"a": [2, 3], "b": 1})
    assert checksum_of({"a": 1}) != checksum_of({"a": 2})
    assert checksum_of({"a": 1}) == hashlib.sha256(b'{"a": 1}').hexdigest()


def test_checksums_that_name_stored_work_keep_their_values():
    # pinned with the code before the helpers were folded: a changed value would make reruns
    # miss their finished DFT labels (configuration_key names the label directory)
    atoms = bulk("Si", "diamond", a=5.43)
    assert configuration_key(atoms, {"encut": 300, "kspacing": 0.25}) == "a6c0aaeaf710b92ece31bb4c"
    # printf '00\nff' | sha256sum
    records = [{"files": [{"path": "b", "sha256": "ff"}, {"path": "a", "sha256": "00"}]}]
    assert files_checksum(records) == (
        "dea232dd9dac04c4d27e551b3914230d14df21b6c99e0781e1ca28b73c80ef6d"
    )


def test_package_versions_names_only_what_is_asked():
    found = package_versions("ase", "no-such-distribution-phonogap")
    assert set(found) == {"ase", "no-such-distribution-phonogap"}
    assert re.match(r"\d+\.\d+", found["ase"])
    assert found["no-such-distribution-phonogap"] == "not installed"
    assert package_versions() == {}


def test_software_versions_include_python_and_phonogap():
    versions = software_versions()
    assert versions["phonogap"] != "not installed"
    assert re.match(r"3\.\d+\.\d+", versions["python"])
