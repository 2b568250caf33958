"""The type tokens of a milestone (one per provider that can manage it), and the keys Pulumi's
wire format marks special values with (pulumi/sdk/go/common/resource/plugin/rpc.go)."""

DYNAMIC_TYPE = "pulumi-python:dynamic/capillary:TargetGroup"  # the dynamic provider's
PLUGIN_TYPE = "capillary:index:TargetGroup"  # the resource provider ``capillary``'s
TYPES = (DYNAMIC_TYPE, PLUGIN_TYPE)

SIG = "4dabf18193072939515e22adb298388d"  # the key that marks a special value (a secret)
SECRET = "1b47061264138c4ac30d75fd1eb44270"  # a secret's signature
