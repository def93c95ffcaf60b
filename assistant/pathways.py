"""Compatibility shim: the pathway builder now lives in the `assistant.planner` package (issue 8).

Kept so that `from assistant.pathways import ...` in the app, the exports and the tests keeps working;
new code imports from `assistant.planner.*`. See docs/architecture.md."""

from __future__ import annotations

from assistant.planner.context import (  # noqa: F401
    REGION_FUNDED,
    DAYS_PER_MONTH,
    NO_AGE_LIMIT,
    PREAMBLE_KINDS,
    DEMO_WARNING,
    pparam,
    why,
    Job,
    Context,
    _fixed,
    _next_day,
    _action,
    RouteFailed,
    ALTERNANCE_KINDS,
)
from assistant.planner.sessions import (  # noqa: F401
    Choice,
    _candidates,
    search_window,
    _age_limits,
    _cpro_any_age,
    _cpro_rows,
    _latest_birthday,
    pick_session,
    _can_travel_far,
    _prerequisites_met,
    _alternance_age_lifted,
    _mobility_aid,
    _aid_open,
    _pick_rows,
)
from assistant.planner.stepkit import (  # noqa: F401
    catalogue_step,
    _relate,
    supports_for,
    _needed_themes,
    ADDON_TITLES,
    BEFORE_ENTRY,
    attach_add_ons,
    _is_part_time,
    _permis_aid,
    _diagnostic,
    _barriers,
    ESSENTIAL_FIRST,
    BASIC_SKILLS_PREFIX,
    _to_find,
    SOCLE_OBJECTIVES,
    _socle_rows,
    _socle_steps,
    _cej_step_needed,
    _prepa_needed,
    _at_apprenticeship_age_limit,
    _prepa_step,
    _discovery_step,
    _typical_months,
)
from assistant.planner.routes import (  # noqa: F401
    Route,
    cpro_months,
    _main_step,
    _nearest_beyond_reach,
    _derogation_window,
    _ptp_steps,
    _poei_steps,
    vae_certification,
    _vae_steps,
    _iae_steps,
    _individual_steps,
    ROUTES,
    FALLBACK_ROUTES,
)
from assistant.planner.builder import (  # noqa: F401
    build_route,
    _finish,
    _working_day_deadlines,
    build_pathways,
    _fallback_reason,
    _high_level,
    _fallback_fits,
    _build_all,
)
