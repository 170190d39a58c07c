"""YAML files are parsed by libyaml where PyYAML has it (a worker starts the sooner: the
shipped mappings took ~0.4 s in pure Python), with the same data and the same error lines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from connector import yamlfile
from connector.errors import ConfigError
from connector.yamlfile import read_yaml

REPO = Path(__file__).resolve().parents[2]
SHIPPED = [*sorted((REPO / "mappings").glob("*.yml")), REPO / "config.example.yml"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_file_reads_as_the_reference_parser_reads_it(path: Path) -> None:
    assert read_yaml(path) == yaml.load(path.read_text(encoding="utf-8"),
                                        Loader=yaml.SafeLoader)


def test_the_fast_parser_is_used_where_pyyaml_has_libyaml() -> None:
    assert yamlfile.LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize(("text", "where"), [
    ("a: 1\nb: [1, 2\n", "line 3"),
    ("a: 1\n\tb: 2\n", "line 2"),
])
def test_a_syntax_error_names_its_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=where):
        read_yaml(path)
