"""A toy workflow on a toy table, to test the engine without any real workflow."""
from sqlalchemy import Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from portal.db.meta import Base
from portal.workflows.engine import State, Transition, Workflow


class ToyBase(DeclarativeBase):
    pass


class Toy(ToyBase):
    __tablename__ = "toys"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(String(50), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


def note_effect(item, ctx):
    item.note = ctx.data.get("note", "effect ran")


def no_shouting(item, ctx):
    return "no shouting" if ctx.comment.isupper() and ctx.comment else None


TOY = Workflow(
    "toy", Toy,
    states=[
        State("draft", "Draft", acl=(("author", ("toy:edit",)),)),
        State("open", "Open"),
        State("done", "Done", final=True),
        State("dropped", "Dropped", final=True),
    ],
    initial="draft",
    transitions=[
        Transition("submit", frozenset({"draft"}), "open", "toy:edit", "Submit", effects=(note_effect,)),
        Transition("finish", frozenset({"open"}), "done", "toy:decide", "Finish", guard=no_shouting),
        Transition("drop", frozenset({"draft", "open"}), "dropped", "toy:decide", "Drop", comment_required=True),
        Transition("reopen", frozenset({"done"}), "open", "toy:decide", "Reopen"),
    ],
    roles={"author": lambda item: [f"user:{item.author_id}"]},
)


def make_session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    ToyBase.metadata.create_all(engine)
    return Session(engine)
