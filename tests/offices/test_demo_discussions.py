"""The demo representative finds discussions to join in `make run`, and every demo post is in a thread its
author can see."""
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from liaison import access
from liaison.models import DiscussionPost

pytestmark = pytest.mark.django_db


def test_the_demo_representative_has_threads_and_every_post_is_visible_to_its_author():
    call_command("seed_demo", scale="small", verbosity=0)
    daibiao = User.objects.get(username="daibiao")
    assert access.discussions_visible_to(daibiao).exists()
    for post in DiscussionPost.objects.select_related("author", "discussion"):
        assert access.discussions_visible_to(post.author).filter(pk=post.discussion_id).exists(), post.author
