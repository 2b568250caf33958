"""What a Pulumi program uses, whichever resource it declares milestones with: the typed
arguments (generated from the declaration model), the typed outputs, and the catalog's
stack settings. The dynamic resource (``dynamic/``) and the resource provider's
(``plugin/``) share them."""
