"""``/p/<id>/samples/``: a container with nothing in it but its own page."""


class SamplesContainer:
    segment = "samples"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    @property
    def party(self):
        return self.__parent__.party
