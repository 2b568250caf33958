"""The baseline provider for the start-up benchmark: does nothing, imports nothing extra."""

from pulumi.dynamic import CheckResult, ResourceProvider


class TrivialProvider(ResourceProvider):
    def check(self, _olds, news):
        return CheckResult(news, [])
