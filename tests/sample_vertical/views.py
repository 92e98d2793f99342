from pyramid.view import view_config

from .resources import SamplesContainer


@view_config(context=SamplesContainer, name="", permission="samples:view", renderer="string",
             request_method=("GET", "HEAD"))
def samples(context, request):
    return f"samples of {context.party.name}"
