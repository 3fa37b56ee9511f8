"""Discussions (互动交流) over the API, as on /dashboard/discussions/: the threads of one's studios and the
topic and agency-wide threads, for everyone with a role (liaison.access.discussions_visible_to); whoever
sees a thread may reply, through liaison.services.discussion_post, the page's own write (the others in
the thread are told, and a representative's post counts on the duty log). A thread you may not see is 404.
"""
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from petitions.api.errors import READ_ERRORS, WRITE_ERRORS, StrictSerializer, error_responses
from petitions.api.pagination import ApiPagination
from petitions.api.permissions import HasRole

from .. import access
from ..models import Discussion, DiscussionPost
from ..services import discussion_post
from .common import service_refusals


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


class DiscussionSerializer(serializers.ModelSerializer):
    studio = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                          help_text=_("The studio's code, for a studio's thread; else null."))
    topic = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                               help_text=_("The research topic's id, for a topic's thread; else "
                                                           "null."))
    started_by = serializers.SerializerMethodField()
    posts = serializers.IntegerField(source="posts_count", read_only=True, help_text=_("How many posts it has."))

    class Meta:
        model = Discussion
        fields = ["id", "title", "studio", "topic", "started_by", "created_at", "last_post_at", "posts"]

    def get_started_by(self, discussion) -> str:
        return _display_name(discussion.created_by)


class DiscussionPostSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = DiscussionPost
        fields = ["id", "author", "body", "created_at"]

    def get_author(self, post) -> str:
        return _display_name(post.author)


class DiscussionPostCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=5000, help_text=_("Your post (as on the page, up to 5,000 characters)."))


THREAD_EXAMPLE = OpenApiExample("thread", response_only=True, status_codes=["200"], value={
    "id": 3, "title": "冬季供暖入户走访怎么分工", "studio": "371526-agri", "topic": None, "started_by": "王立新",
    "created_at": "2026-11-20T10:00:00+08:00", "last_post_at": "2026-11-28T16:12:00+08:00", "posts": 6})
POST_EXAMPLE = OpenApiExample("post", response_only=True, status_codes=["200", "201"], value={
    "id": 58, "author": "李红", "body": "我负责东片三个村，周五前把名单报上来。",
    "created_at": "2026-11-28T16:12:00+08:00"})


@extend_schema_view(
    list=extend_schema(summary=_("Discussions you can join: your studios' threads, topic and agency-wide threads"),
                       description=_("Newest activity first."),
                       responses={200: DiscussionSerializer(many=True), **error_responses(400, 401, 403, 404, 406,
                                                                                          429)}),
    retrieve=extend_schema(summary=_("One discussion"), responses={200: DiscussionSerializer,
                                                                   **error_responses(*READ_ERRORS)},
                           examples=[THREAD_EXAMPLE]),
)
class DiscussionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DiscussionSerializer
    permission_classes = [HasRole]
    pagination_class = ApiPagination
    filter_backends = []

    def get_queryset(self):
        return (access.discussions_visible_to(self.request.user).select_related("studio", "created_by")
                .annotate(posts_count=Count("posts")).order_by("-last_post_at", "-id"))

    @extend_schema(methods=["GET"], summary=_("A discussion's posts, oldest first"),
                   responses={200: DiscussionPostSerializer(many=True), **error_responses(*READ_ERRORS)})
    @extend_schema(methods=["POST"], summary=_("Reply in a discussion"),
                   description=_("Everyone else in the thread is told; a representative's post counts on their duty "
                                 "log. 400 for an empty post."),
                   request=DiscussionPostCreateSerializer,
                   responses={201: DiscussionPostSerializer, **error_responses(*WRITE_ERRORS)},
                   examples=[OpenApiExample("reply", request_only=True,
                                            value={"body": "我负责东片三个村，周五前把名单报上来。"}), POST_EXAMPLE])
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=ApiPagination)
    def posts(self, request, pk=None):
        thread = self.get_object()  # a thread you may not see: 404
        if request.method == "POST":
            serializer = DiscussionPostCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            with service_refusals():
                post = discussion_post(discussion_id=thread.pk, author=request.user,
                                       body=serializer.validated_data["body"])
            return Response(DiscussionPostSerializer(post).data, status=status.HTTP_201_CREATED)
        posts = DiscussionPost.objects.filter(discussion=thread).select_related("author").order_by("created_at", "id")
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(DiscussionPostSerializer(page, many=True).data)
