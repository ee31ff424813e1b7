"""Run with Label Studio's own venv python (not lbpnet's): create a project with
label-studio-sdk, import lbpnet's tasks, post one annotation per task as a reviewer
would, and write the project's JSON export.

usage: python reviewer.py URL TOKEN PROJECT_DIR REGIONS_JSON EXPORT_JSON [CSV_DIR]
REGIONS_JSON: {task_id: [[start_s, end_s, label, reason], ...]}
CSV_DIR: the task CSVs' folder, connected as the project's local-files storage; each
task's CSV is then fetched through the server as the labelling page would (sha256 printed).
"""

import hashlib
import json
import sys
import urllib.request
from pathlib import Path

from label_studio_sdk import LabelStudio

url, token, project_dir, regions_path, export_path = sys.argv[1:6]
project_dir = Path(project_dir)
regions = json.loads(Path(regions_path).read_text())
ls = LabelStudio(base_url=url, api_key=token)
project = ls.projects.create(title="lbpnet review (test)",
                             label_config=(project_dir / "label_config.xml").read_text())
tasks = json.loads((project_dir / "tasks.json").read_text())
if len(sys.argv) > 6:
    ls.import_storage.local.create(project=project.id, path=str(Path(sys.argv[6]).resolve()),
                                   title="lbpnet task CSVs", use_blob_urls=False)
ls.projects.import_tasks(id=project.id, request=tasks)
me = ls.users.whoami()
served = {}
for task in ls.tasks.list(project=project.id):
    if len(sys.argv) > 6:
        req = urllib.request.Request(url + task.data["csv"],
                                     headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            served[task.data["task_id"]] = hashlib.sha256(r.read()).hexdigest()
    result = []
    for i, (start, end, label, reason) in enumerate(regions.get(task.data["task_id"], [])):
        rid = f"r{task.id}_{i}"
        result.append({"id": rid, "from_name": "label", "to_name": "ts",
                       "type": "timeserieslabels",
                       "value": {"start": start, "end": end, "instant": False,
                                 "timeserieslabels": [label]}})
        result.append({"id": rid, "from_name": "reason", "to_name": "ts", "type": "textarea",
                       "value": {"text": [reason]}})
    if result:
        ls.annotations.create(id=task.id, result=result, completed_by=me.id)
data = b"".join(ls.projects.exports.download_sync(id=project.id, export_type="JSON"))
Path(export_path).write_bytes(data)
print(json.dumps({"project": project.id, "user": me.email, "user_id": me.id,
                  "n_tasks": len(tasks), "csv_sha256": served}))
