#include "common/resource.h"

#include "gtest/gtest.h"

namespace skein {
namespace {

const Resource kMin(1024, 1);
const Resource kMax(8192, 32);

TEST(ResourceTest, ToStringMatchesYarn) {
  EXPECT_EQ(Resource(1024, 1).ToString(), "<memory:1024, vCores:1>");
  Resource gpu(2048, 2);
  gpu.others["yarn.io/gpu"] = 1;
  EXPECT_EQ(gpu.ToString(), "<memory:2048, vCores:2, yarn.io/gpu: 1>");
}

TEST(ResourceTest, ArithmeticAndProto) {
  Resource a(1024, 2);
  a.others["yarn.io/gpu"] = 1;
  Resource b = a + a;
  EXPECT_EQ(b.memory_mb, 2048);
  EXPECT_EQ(b.Get("yarn.io/gpu"), 2);
  EXPECT_EQ(b - a, a);
  EXPECT_TRUE((a - a).IsZero());
  EXPECT_EQ(Resource::FromProto(b.ToProto()), b);
  EXPECT_EQ(a * 3, a + a + a);
}

TEST(ResourceTest, DefaultCalculatorNormalizesMemoryOnlyAndGrantsOneVcore) {
  DefaultResourceCalculator calc;
  // Spark's 1g executor + 384 MB overhead = 1408 MB -> 2048 MB.
  EXPECT_EQ(calc.Normalize(Resource(1408, 4), kMin, kMax, kMin), Resource(2048, 1));
  EXPECT_EQ(calc.Normalize(Resource(1408, 1), Resource(512, 1), kMax, Resource(512, 1)),
            Resource(1536, 1));
  EXPECT_EQ(calc.Normalize(Resource(100, 1), kMin, kMax, kMin), Resource(1024, 1));
  EXPECT_EQ(calc.Normalize(Resource(0, 0), kMin, kMax, kMin), Resource(1024, 1));
  EXPECT_EQ(calc.Normalize(Resource(1024, 1), kMin, kMax, kMin), Resource(1024, 1));
  // Capped at the maximum.
  EXPECT_EQ(calc.Normalize(Resource(8000, 1), kMin, kMax, kMin), Resource(8192, 1));
  EXPECT_TRUE(calc.FitsIn(Resource(1024, 100), Resource(1024, 1)));
  EXPECT_FALSE(calc.FitsIn(Resource(1025, 1), Resource(1024, 100)));
  EXPECT_EQ(calc.ComputeAvailableContainers(Resource(8192, 1), Resource(2048, 8)), 4);
}

TEST(ResourceTest, DominantCalculatorNormalizesEveryType) {
  DominantResourceCalculator calc;
  EXPECT_EQ(calc.Normalize(Resource(1408, 2), kMin, kMax, kMin), Resource(2048, 2));
  EXPECT_EQ(calc.Normalize(Resource(1408, 0), kMin, kMax, kMin), Resource(2048, 1));
  EXPECT_EQ(calc.Normalize(Resource(1024, 40), kMin, kMax, kMin), Resource(1024, 32));
  EXPECT_FALSE(calc.FitsIn(Resource(1024, 9), Resource(8192, 8)));
  EXPECT_TRUE(calc.FitsIn(Resource(1024, 8), Resource(8192, 8)));
  EXPECT_EQ(calc.ComputeAvailableContainers(Resource(8192, 4), Resource(1024, 2)), 2);
  EXPECT_DOUBLE_EQ(calc.Share(Resource(1024, 4), Resource(8192, 8)), 0.5);
  Resource gpu_ask(1024, 1);
  gpu_ask.others["yarn.io/gpu"] = 2;
  Resource node(8192, 8);
  node.others["yarn.io/gpu"] = 1;
  EXPECT_FALSE(calc.FitsIn(gpu_ask, node));
}

TEST(ResourceTest, ValidationNamesValueAndLimit) {
  EXPECT_TRUE(ValidateResourceRequest(Resource(8192, 32), kMax).ok());
  absl::Status over = ValidateResourceRequest(Resource(9000, 1), kMax);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.message().find("<memory:9000, vCores:1>"), std::string::npos) << over;
  EXPECT_NE(over.message().find("<memory:8192, vCores:32>"), std::string::npos) << over;
  EXPECT_NE(over.message().find("memory-mb"), std::string::npos) << over;
  absl::Status neg = ValidateResourceRequest(Resource(-1, 1), kMax);
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.message().find("memory-mb=-1"), std::string::npos) << neg;
  absl::Status cores = ValidateResourceRequest(Resource(1024, 33), kMax);
  ASSERT_FALSE(cores.ok());
  EXPECT_NE(cores.message().find("vcores"), std::string::npos) << cores;
}

TEST(ResourceTest, CalculatorFactoryAcceptsHadoopNames) {
  EXPECT_EQ(
      (*MakeResourceCalculator("org.apache.hadoop.yarn.util.resource.DominantResourceCalculator"))
          ->ClassName(),
      DominantResourceCalculator::kClassName);
  EXPECT_EQ((*MakeResourceCalculator("default"))->ClassName(),
            DefaultResourceCalculator::kClassName);
  auto bad = MakeResourceCalculator("Bogus");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'Bogus'"), std::string::npos);
}

}  // namespace
}  // namespace skein
