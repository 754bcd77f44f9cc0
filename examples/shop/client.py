import os

import inngest

client = inngest.Inngest(
    app_id="shop",
    signing_key=os.environ.get("INNGEST_SIGNING_KEY"),
    is_production=os.environ.get("ENV") == "production",
)
