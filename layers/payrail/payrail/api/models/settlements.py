"""Settlement jobs: a window of UTC days summed into one CSV."""

from pydantic import ConfigDict, Field

from payrail.api.models import Model, StatusChange, Strict, examples
from payrail.api.models.views import view
from payrail.core import lifecycle
from payrail.settlement import model

__all__ = ["WindowIn", "SettlementTotals", "SettlementJob"]


class WindowIn(Strict):
    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="first UTC date, YYYY-MM-DD")
    to: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="last UTC date, inclusive")

    model_config = examples(
        {"from": "2026-03-01", "to": "2026-03-31"},
    )


SettlementTotals = view(model.SettlementTotals, "SettlementTotals", Model, __name__)


class _JobBase(Model):
    model_config = ConfigDict(populate_by_name=True)


#: the job as the API shows it: a view of :class:`payrail.settlement.model.SettlementJob`
SettlementJob = view(model.SettlementJob, "SettlementJob", _JobBase, __name__,
                     nested={lifecycle.StatusChange: StatusChange, model.SettlementTotals: SettlementTotals},
                     from_=(str, Field(alias="from")))
