"""The baseline provider of the benchmarks: does nothing, imports nothing extra."""

from pulumi.dynamic import CheckResult, CreateResult, Resource, ResourceProvider


class TrivialProvider(ResourceProvider):
    def check(self, _olds, news):
        return CheckResult(news, [])

    def create(self, props):
        return CreateResult(str(abs(hash(props.get("name")))), dict(props))


class Trivial(Resource):
    """A dynamic resource of the trivial provider (a subclass names the type, as ours)."""

    def __init__(self, name, props):
        super().__init__(TrivialProvider(), name, props)
