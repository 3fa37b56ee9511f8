"""liaison.access: who sees which petition and which actions they may take."""
import pytest
from django.contrib.auth.models import AnonymousUser

from liaison import access
from petitions.models import Petition, PetitionEvent, Status
from petitions.workflow import allowed_actions
from tests.roles import VISIBLE, advance, build_world, user_of

A = PetitionEvent.Action
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_visible_queryset_matches_the_rules(world, role):
    user = user_of(world, role)
    codes = set(access.petitions_visible_to(user).values_list("tracking_code", flat=True))
    assert codes == {getattr(world, name).tracking_code for name in VISIBLE[role]}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_object_check_agrees_with_the_queryset(world, role):
    user = user_of(world, role)
    for name in ("p_a", "p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"):
        petition = Petition.objects.select_related("studio__region", "region").get(pk=getattr(world, name).pk)
        assert access.can_see_petition(user, petition) == (name in VISIBLE[role]), name


def test_anonymous_sees_nothing(world):
    assert not access.petitions_visible_to(AnonymousUser()).exists()
    assert not access.can_see_petition(AnonymousUser(), world.p_a)
    assert access.permitted_actions(AnonymousUser(), world.p_a) == frozenset()


def test_actor_is_loaded_in_at_most_three_queries_and_cached(world, django_assert_max_num_queries):
    user = world.rep_a.user
    with django_assert_max_num_queries(3):
        actor = access.actor_for(user)
    assert actor.representative_id == world.rep_a.pk and actor.studio_ids == {world.studio_a.pk}
    with django_assert_max_num_queries(0):
        assert access.actor_for(user) is actor


def test_masking_only_for_handlers(world):
    assert access.sees_citizen_contact(world.rep_a.user, world.p_a)
    assert access.sees_citizen_contact(world.rep_a.user, world.p_a_moved)  # first contact
    assert access.sees_citizen_contact(world.rep_a.user, world.p_b_assigned)  # assigned to them
    assert not access.sees_citizen_contact(world.organisation, world.p_a)
    assert not access.sees_citizen_contact(world.liaison_a, world.p_loop3)
    assert access.sees_citizen_contact(world.department_staff, world.p_dept)


def test_representative_of_another_studio_may_do_nothing(world):
    assert access.permitted_actions(world.rep_b.user, world.p_a) == frozenset()
    assert access.available_actions(world.rep_b.user, world.p_a) == []


@pytest.mark.parametrize("status", [s for s in Status.values])
def test_available_is_allowed_intersect_permitted(world, status):
    petition = advance(world.p_a, status)
    for user in (world.rep_a.user, world.studio_staff_a, world.organisation, world.superuser, world.rep_b.user):
        offered = access.available_actions(user, petition)
        assert set(offered) == set(allowed_actions(status)) & access.permitted_actions(user, petition)


def test_role_specific_action_sets(world):
    dispatched = world.p_dept
    assert set(access.permitted_actions(world.department_staff, dispatched)) == {A.HOLD, A.RESUME, A.RESOLVE, A.NOTE}
    assert set(access.permitted_actions(world.organisation, world.p_a)) == {A.NOTE}
    assert A.CONSULT in access.permitted_actions(world.liaison_a, world.p_loop3)
    assert A.RESOLVE not in access.permitted_actions(world.rep_a.user, world.p_a_moved)  # B handles it now
    assert A.REPLY in access.permitted_actions(world.rep_a.user, world.p_a_moved)  # first contact answers
    assert access.may_override_routing(world.studio_staff_a)
    assert not access.may_override_routing(world.rep_a.user)


def test_studio_visibility(world):
    assert set(access.studios_visible_to(world.rep_a.user)) == {world.studio_a}
    assert access.can_see_studio(world.rep_a.user, world.studio_a)
    assert not access.can_see_studio(world.rep_a.user, world.studio_b)
    assert access.can_see_studio(world.liaison_a, world.studio_a)
    assert not access.can_see_studio(world.liaison_a, world.studio_b)
    assert set(access.studios_visible_to(world.organisation)) == {world.studio_a, world.studio_b}
    assert access.can_manage_studio(world.studio_staff_a, world.studio_a)
    assert not access.can_manage_studio(world.rep_a.user, world.studio_a)


def test_a_studio_lead_without_membership_works_for_the_studio(world):
    from tests.factories import RepresentativeFactory, UserFactory

    lead = RepresentativeFactory(user=UserFactory(username="lead_b"))
    world.studio_b.lead = lead
    world.studio_b.save()
    assert access.can_see_petition(lead.user, world.p_b)
    assert access.can_manage_studio(lead.user, world.studio_b)
    assert access.may_override_routing(lead.user)
