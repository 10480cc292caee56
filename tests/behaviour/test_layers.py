"""Layers in execution environments: extracted to /opt in order, on the runtimes' import paths (spec §1.6, §8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_project, running
from tests.helpers import zip_of as _zip
from workbench.engine.core.errors import InvalidParameterValueError


async def test_layers_are_extracted_to_opt_in_order(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {
        "Py": {"CodeUri": "py", "Handler": "app.handler", "Runtime": "python3.11"},
        "Node": {"CodeUri": "node", "Handler": "index.handler", "Runtime": "nodejs20.x"},
    }, {
        "py/app.py": "import shared, os\ndef handler(e, c):\n    return [shared.WHO, "
                     "open(os.path.join(os.environ.get('WORKBENCH_OPT_DIR', '/opt'), 'data.txt')).read()]\n",
        "node/index.js": "const helper = require('helper');\nexports.handler = async () => helper.who;\n",
    })
    async with running(project, backend) as engine:
        base = await engine.publish_layer_version("shared", _zip({
            "python/shared.py": "WHO = 'base'\n", "data.txt": "base", "nodejs/node_modules/helper/index.js":
            "exports.who = 'node-base';\n"}), compatible_runtimes=("python3.11",))
        override = await engine.publish_layer_version("override", _zip({"python/shared.py": "WHO = 'override'\n",
                                                                        "data.txt": "override"}))
        assert (base.version, override.version) == (1, 1)
        assert base.arn == "arn:aws:lambda:us-east-1:123456789012:layer:shared:1"
        await engine.update_function_configuration("Py", layers=[base.arn])
        assert (await engine.invoke("Py")).json() == ["base", "base"]
        await engine.update_function_configuration("Py", layers=[base.arn, override.arn])
        assert (await engine.invoke("Py")).json() == ["override", "override"]
        await engine.update_function_configuration("Node", layers=[base.arn])
        assert (await engine.invoke("Node")).json() == "node-base"
        await engine.delete_layer_version("shared", 1)
        assert engine.list_layer_versions("shared") == []
        assert (await engine.invoke("Node")).json() == "node-base"   # attached versions keep working
        await engine.update_function_configuration("Py", layers=[override.arn])
        with pytest.raises(InvalidParameterValueError, match="does not exist"):
            await engine.update_function_configuration("Py", layers=[base.arn])
        with pytest.raises(InvalidParameterValueError, match="more than 5"):
            await engine.update_function_configuration("Py", layers=[override.arn] * 6)
        assert [layer.name for layer in engine.list_layers("python3.11")] == []
        assert [layer.name for layer in engine.list_layers()] == ["override"]
