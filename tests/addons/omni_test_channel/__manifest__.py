{
    "name": "Omni Test Channel",
    "summary": "Test-only channel exercising the Omni pipeline end to end (not shipped to users)",
    "version": "17.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "depends": ["omni_connector_base"],
    "external_dependencies": {"python": []},
    "data": ["data/queue_job_data.xml"],
    "installable": True,
}
