"""Capillary milestones (target groups) as code, for Pulumi."""
