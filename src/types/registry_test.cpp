// The registry and the generated archetypes say what src/types/definitions.toml says.
#include "reel/types/registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

TEST(RegistryTest, FindsArchetypesByReelAndRerunName) {
  const ArchetypeInfo* a = find_archetype("Points3D");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(find_archetype("rerun.archetypes.Points3D"), a);
  EXPECT_STREQ(a->rerun_name, "rerun.archetypes.Points3D");
  EXPECT_STREQ(a->view, "spatial3d");
  EXPECT_STREQ(a->role, "visual");
  ASSERT_NE(a->primary(), nullptr);
  EXPECT_STREQ(a->primary()->name, "positions");
  EXPECT_TRUE(a->primary()->required);
  ASSERT_NE(a->field("colors"), nullptr);
  EXPECT_FALSE(a->field("colors")->required);
  EXPECT_EQ(a->field("colors")->descriptor, Points3D::descriptor_colors());
  EXPECT_STREQ(a->field("colors")->rerun_component, "rerun.components.Color");
  EXPECT_EQ(a->field("nope"), nullptr);
  EXPECT_EQ(find_archetype("Nope"), nullptr);
}

TEST(RegistryTest, EveryArchetypeListsItsFieldsOnceWithThePrimaryFirst) {
  std::set<std::string> names;
  for (const auto& a : archetypes()) {
    EXPECT_TRUE(names.insert(a.name).second) << a.name;
    const auto& fields = a.fields();
    ASSERT_FALSE(fields.empty()) << a.name;
    std::set<std::string> seen;
    for (size_t i = 0; i < fields.size(); ++i) {
      EXPECT_TRUE(seen.insert(fields[i].name).second) << a.name << "." << fields[i].name;
      EXPECT_EQ(fields[i].descriptor.archetype(), a.name);
      EXPECT_EQ(fields[i].descriptor.field(), fields[i].name);
      if (fields[i].primary) {
        EXPECT_EQ(i, 0u) << a.name << ": the primary is collected first";
      }
      EXPECT_NE(find_component(fields[i].descriptor.component_type()), nullptr)
          << a.name << "." << fields[i].name;
    }
  }
  EXPECT_GE(names.size(), 20u);
}

TEST(RegistryTest, ComponentsKnowTheirArrowTypeAndRerunMapping) {
  const ComponentInfo* color = find_component("reel.components.Color");
  ASSERT_NE(color, nullptr);
  EXPECT_EQ(find_component("Color"), color);
  EXPECT_EQ(find_component("rerun.components.Color"), color);
  EXPECT_TRUE(color->flat);
  EXPECT_TRUE(color->type()->equals(*arrow::uint32()));
  const ComponentInfo* buffer = find_component("ImageBuffer");
  ASSERT_NE(buffer, nullptr);
  EXPECT_STREQ(buffer->rerun_convert, "binary_as_list");
  EXPECT_TRUE(buffer->type()->equals(*arrow::binary()));
  EXPECT_EQ(ComponentTraits<Position3D>::type()->to_string(),
            find_component("Position3D")->type()->to_string());
}

TEST(RegistryTest, EnumsMapToRerunCodesBothWays) {
  EXPECT_STREQ(enum_name(ChannelDatatype::kF32), "F32");
  EXPECT_EQ(enum_to_rerun<ChannelDatatype>(uint8_t(ChannelDatatype::kF32)), 34);
  EXPECT_EQ(enum_from_rerun<ChannelDatatype>(6), uint8_t(ChannelDatatype::kU8));
  EXPECT_EQ(enum_from_rerun<ChannelDatatype>(99), std::nullopt);
  EXPECT_EQ(enum_from_name<MarkerShape>("Diamond"), MarkerShape::kDiamond);
  EXPECT_EQ(enum_to_rerun<MarkerShape>(uint8_t(MarkerShape::kDiamond)), 2);
  EXPECT_EQ(enum_from_name<ColorModel>("rgb"), std::nullopt);
  EXPECT_EQ(channel_datatype_size(ChannelDatatype::kF64), 8u);
  EXPECT_EQ(num_channels(ColorModel::kBGRA), 4u);
  EXPECT_TRUE(enum_is_valid<ColorModel>(5));
  EXPECT_FALSE(enum_is_valid<ColorModel>(0));
}

TEST(GeneratedArchetypeTest, CollectChecksCountsAgainstThePrimaryByName) {
  std::vector<Position3D> three = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
  std::vector<Radius> two = {1.f, 2.f};
  ComponentBatchList ok;
  Points3D(three).with_radii(0.5f).with_colors(Color(1, 2, 3)).collect(ok);
  EXPECT_TRUE(ok.status().ok());
  ASSERT_EQ(ok.size(), 3u);
  EXPECT_EQ(ok[0].descriptor, Points3D::descriptor_positions());
  EXPECT_EQ(ok[1].descriptor, Points3D::descriptor_radii());
  EXPECT_EQ(ok[2].descriptor, Points3D::descriptor_colors());
  ComponentBatchList bad;
  Points3D(three).with_radii(two).collect(bad);
  EXPECT_EQ(bad.status().message(),
            "Points3D: 3 positions but 2 radii (expected 3, or 1 to apply one value to all)");
  // Without the primary nothing is checked: a partial update of the radii alone.
  ComponentBatchList partial;
  Points3D().with_radii(two).collect(partial);
  EXPECT_TRUE(partial.status().ok());
}

}  // namespace
}  // namespace reel
