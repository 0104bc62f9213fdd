"""The instructors' "Teaching" landing page, linking each domain's authoring and grading pages."""
