from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.core.serializers import InputSerializer


class SignupInput(InputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class LoginInput(InputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class RefreshInput(InputSerializer):
    refresh = serializers.CharField()


class PasswordResetInput(InputSerializer):
    email = serializers.EmailField()


class PasswordSetInput(InputSerializer):
    uid = serializers.CharField()
    token = serializers.CharField()
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class MembershipOutput(serializers.ModelSerializer):
    joined = serializers.DateTimeField(source="created")

    class Meta:
        model = Membership
        fields = ["role", "joined"]


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone", "avatar_url", "date_joined"]


class MeOutput(UserOutput):
    membership = serializers.SerializerMethodField(help_text="Your role in this marketplace.")

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "membership"]

    @extend_schema_field(MembershipOutput)
    def get_membership(self, user) -> dict:
        return MembershipOutput(self.context["membership"]).data


class MeUpdateInput(InputSerializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.RegexField(
        r"^\+?[0-9 ()-]{0,31}$",
        max_length=32,
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Use digits, spaces, brackets and dashes, like +1 555 0100."},
    )
    avatar_url = serializers.URLField(max_length=500, required=False, allow_blank=True)


class SignupOutput(TokenPairOutput):
    user = UserOutput()
    role = serializers.ChoiceField(choices=Role.choices)
    identity_created = serializers.BooleanField(help_text="False when an existing identity joined.")
    membership_created = serializers.BooleanField(help_text="False when already a member.")


class MemberOutput(serializers.ModelSerializer):
    user = UserOutput()
    joined = serializers.DateTimeField(source="created")

    class Meta:
        model = Membership
        fields = ["user", "role", "joined"]


class MemberUpdateInput(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberListQuery(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    search = serializers.CharField(
        max_length=100, required=False, help_text="Part of an email or name."
    )
