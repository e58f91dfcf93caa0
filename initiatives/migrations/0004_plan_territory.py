"""Plans belong to a territory (territories.Territory) instead of naming it. Each
plan's territory is made from the name it carried; the seed plan's, « Flandre Pays
de Saint-Omer », with the region and EPCIs of initiatives.plan_data. While the
instance serves a single territory, every account and partner belongs to it."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify

from initiatives.plan_data import TERRITORY


def attach_plans(apps, schema_editor):
    ActionPlan = apps.get_model("initiatives", "ActionPlan")
    Territory = apps.get_model("territories", "Territory")
    Epci = apps.get_model("territories", "Epci")
    for plan in ActionPlan.objects.order_by("pk"):
        name = plan.territory_name.strip() or plan.title
        territory = Territory.objects.filter(name__iexact=name).first()
        if territory is None:
            seed = name.casefold() == TERRITORY["name"].casefold()
            territory = Territory.objects.create(
                name=name,
                slug=_free_slug(Territory, TERRITORY["slug"] if seed else slugify(name)),
                region=TERRITORY["region"] if seed else "",
            )
            if seed:
                Epci.objects.bulk_create(
                    Epci(territory=territory, **epci) for epci in TERRITORY["epcis"]
                )
        plan.territory = territory
        plan.save(update_fields=["territory"])
    territories = list(Territory.objects.all())
    if len(territories) == 1:
        (territory,) = territories
        territory.members.add(*apps.get_model("auth", "User").objects.all())
        territory.partners.add(*apps.get_model("partners", "Partner").objects.all())
    else:
        # A partner belongs to the territories of the plans it is a partner of, of the
        # initiatives it leads or supports and of the events it organises.
        Partner = apps.get_model("partners", "Partner")
        for partner in Partner.objects.all():
            partner.territories.add(
                *Territory.objects.filter(
                    models.Q(plans__planpartner__partner=partner)
                    | models.Q(plans__initiatives__lead_partners=partner)
                    | models.Q(plans__initiatives__associated_partners=partner)
                    | models.Q(plans__initiatives__events__organizer=partner)
                ).distinct()
            )


def _free_slug(Territory, slug):
    slug = (slug or "territoire")[:90]
    candidate, n = slug, 1
    while Territory.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def detach_plans(apps, schema_editor):
    ActionPlan = apps.get_model("initiatives", "ActionPlan")
    for plan in ActionPlan.objects.select_related("territory"):
        plan.territory_name = plan.territory.name
        plan.save(update_fields=["territory_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_text_refuses_control_characters"),
        ("partners", "0004_partner_territories"),
        ("territories", "0001_initial"),
        ("indicators", "0014_event_credits"),
    ]

    operations = [
        migrations.RenameField("actionplan", "territory", "territory_name"),
        migrations.AddField(
            model_name="actionplan",
            name="territory",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="territories.territory",
                verbose_name="territoire",
            ),
        ),
        migrations.RunPython(attach_plans, detach_plans),
        # Backwards, the name comes back empty before detach_plans writes it: a
        # column added NOT NULL without a default would refuse the plans there are.
        migrations.AlterField(
            model_name="actionplan",
            name="territory_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="territoire"),
        ),
        migrations.RemoveField("actionplan", "territory_name"),
        migrations.AlterField(
            model_name="actionplan",
            name="territory",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="territories.territory",
                verbose_name="territoire",
            ),
        ),
        migrations.AlterField(
            model_name="actionplan",
            name="is_published",
            field=models.BooleanField(
                default=False,
                help_text="Le site public du territoire présente son plan publié le plus récent.",
                verbose_name="publié",
            ),
        ),
    ]
